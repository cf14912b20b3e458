// The journal mode of DynamoDB Local's database file (SQLite): read from its header, and switched to
// write-ahead logging (WAL) while no process has the file open.
import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/** The file DynamoDB Local keeps every table in under `-dbPath` when run with `-sharedDb`. */
export const DYNAMODB_LOCAL_DB_FILE = 'shared-local-instance.db';

/** SQLite's journal modes as a database file's header records them: `rollback` (DELETE, TRUNCATE, PERSIST, ...) or `wal`. */
export const JOURNAL_MODES = ['wal', 'rollback'] as const;
export type JournalMode = (typeof JOURNAL_MODES)[number];

const MAGIC = 'SQLite format 3\0';
/**
 * The file format write and read versions: 1 and 1 for the rollback journal, 2 and 2 for WAL
 * (https://www.sqlite.org/fileformat2.html, "1.3.3. File format version numbers"). WAL is a
 * property of the file: every connection that opens it afterwards runs in WAL mode
 * (https://www.sqlite.org/wal.html, "Persistence of WAL mode").
 */
const VERSION_OFFSET = 18;
const VERSIONS: Record<JournalMode, number> = { rollback: 1, wal: 2 };

/**
 * The journal mode recorded in the header of the SQLite database `file`.
 * @returns undefined when the file does not exist or is not an SQLite 3 database
 */
export function journalMode(file: string): JournalMode | undefined {
  if (!existsSync(file)) return undefined;
  const header = Buffer.alloc(VERSION_OFFSET + 2);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, header, 0, header.length, 0) < header.length) return undefined;
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  const [write, read] = [header[VERSION_OFFSET], header[VERSION_OFFSET + 1]];
  if (write === VERSIONS.wal && read === VERSIONS.wal) return 'wal';
  if (write === VERSIONS.rollback && read === VERSIONS.rollback) return 'rollback';
  return undefined;
}

/**
 * Switches the SQLite database `file` to WAL mode as `PRAGMA journal_mode=WAL` does: by setting
 * both file format version numbers to 2. A commit in WAL mode appends to one log and syncs it once;
 * in rollback mode it creates, syncs and deletes a journal file, which made every item that
 * DynamoDB Local writes to disk cost several syncs (BENCHMARKS.md, "Local mode on disk: SQLite's
 * write-ahead log"). Call it only while no process has the file open: a connection that has read
 * the old header would go on in rollback mode beside one in WAL mode.
 *
 * Leaves the file as it is when it is not an SQLite 3 database in rollback mode, or when it has a
 * hot journal (`<file>-journal`: a transaction cut short, which SQLite rolls back from that
 * journal the next time the file is opened in rollback mode; the switch then waits for the next
 * start).
 * @returns the journal mode the file is in afterwards (undefined: no SQLite database there)
 */
export function useWriteAheadLog(file: string): JournalMode | undefined {
  const mode = journalMode(file);
  if (mode !== 'rollback' || existsSync(`${file}-journal`)) return mode;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.from([VERSIONS.wal, VERSIONS.wal]), 0, 2, VERSION_OFFSET);
  } finally {
    closeSync(fd);
  }
  return 'wal';
}

/** The database file of DynamoDB Local under its `-dbPath` directory `dataDir`. */
export const dynamoDBLocalDbFile = (dataDir: string) => path.join(dataDir, DYNAMODB_LOCAL_DB_FILE);
