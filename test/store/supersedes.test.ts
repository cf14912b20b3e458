// The rule that lets a write that lost its race be acknowledged as overwritten (`supersedes`, the
// Thomas write rule): only a change a reader could have seen, landed after the write read the item.
import { ItemVersion, supersedes } from '../../lambda/store/item-version';

const version = (writeId: number, tombstone = false): ItemVersion => ({
  codes: new Uint32Array(8),
  entries: { codes: new Uint32Array(8) },
  pending: [],
  tombstone,
  writeId: Uint8Array.of(writeId),
  pendingFilters: [],
});

describe('supersedes(now, read)', () => {
  const none = undefined;
  const live1 = version(1);
  const live2 = version(2);
  const dead1 = version(1, true);
  const dead3 = version(3, true);

  it.each([
    ['another live version over the live one read', live2, live1, true],
    ['a live version where none was read', live1, none, true],
    ['a live version over the tombstone read', live2, dead1, true],
    ['a delete, still running, of the live version read', dead3, live1, true],
    ['a delete, finished, of the live version read', none, live1, true],
    ['the live version read, unchanged', live1, live1, false],
    ['a tombstone removed meanwhile (no reader saw a change)', none, dead1, false],
    ['a tombstone still there', dead1, dead1, false],
    ['another tombstone where a tombstone was read', dead3, dead1, false],
    ['still nothing', none, none, false],
  ])('%s', (_, now, read, expected) => {
    // GIVEN the version a losing write read, and the one a fresh read finds
    // WHEN / THEN
    expect(supersedes(now, read)).toBe(expected);
  });
});
