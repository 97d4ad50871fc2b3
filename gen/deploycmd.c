/*
 * deploycmd.c - gen deploy register|list|show|export|import|mark.
 * (Being written: issue 10.)
 */
#include "deploy.h"

int
deploy_command(const struct deploycmd *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	diag(EXIT_USAGE, NULL, "deploy: not yet");
	return 0;
}
