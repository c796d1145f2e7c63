import { csvField, csvLine, defuseCsvCell } from './csv';

describe('CSV cells', () => {
  it.each(['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx'])('defuses %p against formula injection', (value) => {
    expect(defuseCsvCell(value)).toBe(`'${value}`);
  });

  it('leaves ordinary values alone', () => {
    expect(defuseCsvCell('alice@example.com')).toBe('alice@example.com');
    expect(defuseCsvCell('')).toBe('');
    expect(csvField(42)).toBe('42');
    expect(csvField(null)).toBe('');
  });

  it('quotes commas, quotes and line breaks, after defusing', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('ends lines with CRLF', () => {
    expect(csvLine(['a', null, 1])).toBe('a,,1\r\n');
  });
});
