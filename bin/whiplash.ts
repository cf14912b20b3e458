#!/usr/bin/env node
// The `whiplash` command: runs the CLI with the process's arguments and streams, and exits with its code.
import { processIO, runCli } from '../lib/cli';

runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
