import { describe, expect, it } from 'vitest';
import { displayText } from '../../exporter/base/display-text.js';
import { cleanName } from '../../exporter/sinks/metrics/dvm-names.js';

// Written out by hand from the Unicode tables (https://www.unicode.org/Public/UCD/latest/ucd/), not
// derived from a regex property: the characters hostile names use to deceive.
const BIDI = [0x200e, 0x200f, 0x061c, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const ZERO_WIDTH = [0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad];
const CONTROLS = [0x00, 0x07, 0x08, 0x0a, 0x0d, 0x1b, 0x7f, 0x85, 0x9b, 0x2028, 0x2029];
const INVISIBLE = [...BIDI, ...ZERO_WIDTH, ...CONTROLS];

function codePoints(text: string): number[] {
  return [...text].map((c) => c.codePointAt(0) as number);
}

describe('displayText (names shown in dvm_info and /api/relays)', () => {
  it('removes bidi controls and zero-width characters, so a name reads as it is', () => {
    // "evil" + RLO + "gpj.exe": shows as "evilexe.jpg" on screen.
    expect(cleanName('evil\u202egpj.exe')).toBe('evilgpj.exe');
    expect(cleanName('Pa\u200By\u200Dmo\uFEFFnt DVM\u2066\u2069')).toBe('Paymont DVM');
    expect(cleanName('\u200b\u200b')).toBeNull();
  });

  it('turns controls and line separators into single spaces', () => {
    expect(cleanName('line1\nline2\r\n\u2028line3\u0007\u001b[31m')).toBe('line1 line2 line3 [31m');
  });

  it('replaces lone surrogates (not encodable in UTF-8) and keeps real astral characters', () => {
    expect(displayText('a\ud800b\udc00c', 64)).toBe('a\ufffdb\ufffdc');
    expect(displayText('ok 🤖 \ud83e\udd16', 64)).toBe('ok 🤖 🤖');
  });

  it('leaves no invisible or control character in any mix, and bounds the length', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 500; round++) {
      const chars: number[] = [];
      for (let i = 0; i < 100; i++) {
        const r = next() % 4;
        chars.push(r === 0 ? (INVISIBLE[next() % INVISIBLE.length] as number) : 0x61 + (next() % 26));
      }
      const shown = displayText(String.fromCodePoint(...chars), 64);
      if (shown === null) continue;
      for (const cp of codePoints(shown)) expect(INVISIBLE, `U+${cp.toString(16)}`).not.toContain(cp);
      expect([...shown].length).toBeLessThanOrEqual(64);
    }
  });
});
