// validate-schema.js SCHEMA JSON - validate a JSON file against a JSON
// Schema (draft 2020-12) with ajv; print every error; exit 1 if invalid.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv2020 = require(path.join(__dirname, 'node_modules/ajv/dist/2020')).default;
const addFormats = require(path.join(__dirname, 'node_modules/ajv-formats'));

const [schemaFile, dataFile] = process.argv.slice(2);
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
const data = JSON.parse(fs.readFileSync(dataFile, 'utf8'));
if (!validate(data)) {
	for (const e of validate.errors)
		console.error(`${dataFile}: ${e.instancePath || '/'}: ${e.message}`);
	process.exit(1);
}
