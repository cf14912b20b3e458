#!/usr/bin/env node
import { processIO, runCli } from '../lib/cli';

runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
