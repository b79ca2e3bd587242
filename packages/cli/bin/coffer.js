#!/usr/bin/env node
// The `coffer` command. A file of its own, present at install time, so that npm can link it before
// `npm run build` (run by `npm ci`) has written dist/.
import '../dist/main.js'
