// Tests DynamoDB Local's database file on disk in SQLite's write-ahead-log mode: the header switch, its guards,
// a data directory of an earlier version (rollback mode) switched with its tables and items kept, and the server's flag.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CLIENT_CONFIG, startDynamoDBLocal } from '../../lib/local/dynamodb-local';
import { Command } from 'commander';
import { addLocalServerOptions, LocalCommandOptions } from '../../lib/local/options';
import { dynamoDBDataDir, startLocalServer } from '../../lib/local/server';
import { dynamoDBLocalDbFile, JournalMode, journalMode, useWriteAheadLog } from '../../lib/local/sqlite-journal';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'whiplash-journal-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs `use` with a client of DynamoDB Local started on `dataDir` (`journal` as given), then stops it. */
async function onDynamoDBLocal<T>(dataDir: string, use: (c: DynamoDBClient) => Promise<T>, journal?: JournalMode): Promise<T> {
  const ddb = await startDynamoDBLocal({ engine: 'java', dataDir, journal });
  const c = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: ddb.endpoint, maxAttempts: 1 });
  try {
    return await use(c);
  } finally {
    c.destroy();
    await ddb.stop();
  }
}

/** A table keyed as the store's tables are (`pk`, `sk`), on demand. */
const createTable = (c: DynamoDBClient, name: string) =>
  c.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

/**
 * A data directory as local mode left it before WAL (`journal: 'rollback'` leaves the file as
 * DynamoDB Local makes it): one table with one item, stopped.
 */
async function rollbackDataDir(): Promise<string> {
  const dir = freshDir();
  await onDynamoDBLocal(
    dir,
    async (c) => {
      await createTable(c, 'kept');
      await c.send(new PutItemCommand({ TableName: 'kept', Item: { pk: { S: 'a' }, sk: { S: 'b' }, n: { N: '7' } } }));
    },
    'rollback',
  );
  return dir;
}

describe('journalMode and useWriteAheadLog', () => {
  let rollbackFile: string;
  beforeAll(async () => {
    rollbackFile = dynamoDBLocalDbFile(await rollbackDataDir());
  }, 120_000);

  test('switch a database file in rollback mode by its two file format version numbers, and nothing else', () => {
    // GIVEN a copy of DynamoDB Local's file in rollback mode
    const file = path.join(freshDir(), 'copy.db');
    copyFileSync(rollbackFile, file);
    const before = readFileSync(file);
    expect(journalMode(file)).toBe('rollback');
    expect([before[18], before[19]]).toEqual([1, 1]);
    // WHEN it is switched
    expect(useWriteAheadLog(file)).toBe('wal');
    // THEN bytes 18 and 19 are 2, every other byte is as it was, and a second call changes nothing
    const after = readFileSync(file);
    expect(journalMode(file)).toBe('wal');
    expect([after[18], after[19]]).toEqual([2, 2]);
    expect(Buffer.concat([after.subarray(0, 18), after.subarray(20)]).equals(Buffer.concat([before.subarray(0, 18), before.subarray(20)]))).toBe(true);
    expect(useWriteAheadLog(file)).toBe('wal');
    expect(readFileSync(file).equals(after)).toBe(true);
  });

  test('leave a file with a hot journal in rollback mode, for SQLite to roll back first', () => {
    // GIVEN a file in rollback mode beside a journal (a transaction cut short)
    const dir = freshDir();
    const file = path.join(dir, 'copy.db');
    copyFileSync(rollbackFile, file);
    writeFileSync(`${file}-journal`, 'interrupted');
    const before = readFileSync(file);
    // WHEN a switch is asked for THEN the file stays as it is
    expect(useWriteAheadLog(file)).toBe('rollback');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  test('leave alone what is not an SQLite database, and report no mode for a missing file', () => {
    const dir = freshDir();
    const other = path.join(dir, 'other.db');
    writeFileSync(other, 'not a database at all, but long enough to have a header');
    expect(journalMode(other)).toBeUndefined();
    expect(useWriteAheadLog(other)).toBeUndefined();
    expect(readFileSync(other, 'utf8')).toBe('not a database at all, but long enough to have a header');
    expect(journalMode(path.join(dir, 'missing.db'))).toBeUndefined();
  });
});

describe('startDynamoDBLocal on disk', () => {
  test('runs a fresh directory\'s file in WAL mode, and what it wrote is there after a restart', async () => {
    // GIVEN an empty directory; WHEN DynamoDB Local starts on it and an item is written
    const dir = freshDir();
    await onDynamoDBLocal(dir, async (c) => {
      expect(journalMode(dynamoDBLocalDbFile(dir))).toBe('wal');
      await createTable(c, 'fresh');
      await c.send(new PutItemCommand({ TableName: 'fresh', Item: { pk: { S: 'x' }, sk: { S: 'y' } } }));
    });
    // THEN after a restart the item is read back
    const got = await onDynamoDBLocal(dir, (c) => c.send(new GetItemCommand({ TableName: 'fresh', Key: { pk: { S: 'x' }, sk: { S: 'y' } }, ConsistentRead: true })));
    expect(got.Item?.pk.S).toBe('x');
  }, 120_000);

  test('switches an earlier version\'s directory (rollback mode) and keeps its tables and items', async () => {
    // GIVEN a directory written in rollback mode
    const dir = await rollbackDataDir();
    expect(journalMode(dynamoDBLocalDbFile(dir))).toBe('rollback');
    // WHEN local mode starts DynamoDB Local on it
    await onDynamoDBLocal(dir, async (c) => {
      // THEN the file is in WAL mode and the item written before is there
      expect(journalMode(dynamoDBLocalDbFile(dir))).toBe('wal');
      const got = await c.send(new GetItemCommand({ TableName: 'kept', Key: { pk: { S: 'a' }, sk: { S: 'b' } }, ConsistentRead: true }));
      expect(got.Item?.n.N).toBe('7');
    });
  }, 120_000);
});

describe('the local server\'s --sqlite-journal', () => {
  const parse = (args: string[]) => {
    let parsed: LocalCommandOptions | undefined;
    const cmd = addLocalServerOptions(new Command().exitOverride().configureOutput({ writeErr: () => undefined }), {}).action((o: LocalCommandOptions) => {
      parsed = o;
    });
    cmd.parse(args, { from: 'user' });
    return parsed!;
  };

  test('defaults to wal, takes rollback, and refuses any other mode', () => {
    expect(parse([]).sqliteJournal).toBe('wal');
    expect(parse(['--sqlite-journal', 'rollback']).sqliteJournal).toBe('rollback');
    expect(() => parse(['--sqlite-journal', 'delete'])).toThrow(/Allowed choices are wal, rollback/);
  });

  test('reaches DynamoDB Local: with rollback, the server leaves a fresh directory\'s file in rollback mode', async () => {
    // GIVEN an empty data directory; WHEN the server starts on it with rollback
    const dir = freshDir();
    const server = await startLocalServer({ port: 0, dataDir: dir, sqliteJournal: 'rollback', purgeIntervalMs: 0 });
    try {
      // THEN DynamoDB Local's file is in rollback mode
      expect(journalMode(dynamoDBLocalDbFile(dynamoDBDataDir(dir)))).toBe('rollback');
    } finally {
      await server.stop();
    }
  }, 120_000);
});
