import golden from '../testdata/tensorboard_golden.json';
import { encodeTfRecord, maskedCrc32c } from './tfrecord';

describe('maskedCrc32c', () => {
  it.each(golden.crc)('matches the Python CRC32C definition for $name', ({ hex, masked }) => {
    expect(maskedCrc32c(Buffer.from(hex, 'hex'))).toBe(masked);
  });

  it('is the masked form of the standard check value 0xE3069283 for "123456789"', () => {
    const crc = 0xe3069283;
    const expected = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe(expected);
  });
});

describe('encodeTfRecord', () => {
  it('frames data as length, masked CRC of the length, data, masked CRC of the data', () => {
    const data = Buffer.from('hello tensorboard');
    const record = encodeTfRecord(data);
    expect(record.length).toBe(8 + 4 + data.length + 4);
    expect(record.readBigUInt64LE(0)).toBe(BigInt(data.length));
    expect(record.readUInt32LE(8)).toBe(maskedCrc32c(record.subarray(0, 8)));
    expect(record.subarray(12, 12 + data.length).equals(data)).toBe(true);
    expect(record.readUInt32LE(12 + data.length)).toBe(maskedCrc32c(data));
  });

  it('uses the golden CRC for the header of a 42-byte record', () => {
    const header = golden.crc.find((c) => c.name === 'length_header_of_42')!;
    expect(encodeTfRecord(new Uint8Array(42)).readUInt32LE(8)).toBe(header.masked);
  });
});
