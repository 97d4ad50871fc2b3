/*
 * deployout.c - what the deployment registry publishes: site/
 * deployments.json, each record with its compatibility verdict, and its
 * schema.  (Being written: issue 10.)
 */
#include "deploy.h"

int
deploy_publish(const struct deployset *ds, const struct registries *reg,
    const struct compat *cx, const char *tmpldir, struct outset *site)
{
	(void)ds; (void)reg; (void)cx; (void)tmpldir; (void)site;
	return 1;
}
