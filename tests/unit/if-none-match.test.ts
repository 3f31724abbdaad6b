import { matchesIfNoneMatch } from '../../plugins/product-gallery/server/src/utils/if-none-match';

describe('If-None-Match against an ETag (weak comparison, as RFC 9110 asks of it)', () => {
  const etag = '"abc123"';
  it.each([
    ['the same tag', '"abc123"', true],
    ['the same tag marked weak', 'W/"abc123"', true],
    ['one of a list', '"old", "abc123" , "older"', true],
    ['any (*)', '*', true],
    ['another tag', '"abc124"', false],
    ['a tag that only contains it', '"abc1234"', false],
    ['nothing', undefined, false],
    ['an empty header', '', false],
  ])('%s', (_what, header, expected) => {
    expect(matchesIfNoneMatch(header as string | undefined, etag)).toBe(expected);
  });
  it('reads a header given twice', () => {
    expect(matchesIfNoneMatch(['"old"', '"abc123"'], etag)).toBe(true);
  });
});
