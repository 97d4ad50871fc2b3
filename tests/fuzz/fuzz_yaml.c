/*
 * fuzz_yaml.c - libFuzzer target: any bytes as a YAML document must load
 * or be refused with a message, never crash, hang or leak; a loaded tree
 * must convert to JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "yaml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ynode *root;
	json_t *j;

	if ((root = yaml_load_buf("fuzz.yml", (const char *)data, size)) == NULL)
		return 0;
	j = ynode_to_json(root);
	json_decref(j);
	ynode_free(root);
	return 0;
}
