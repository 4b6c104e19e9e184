// Valid Chinese identifiers for tests: GB 11643 ID numbers and GB 32100
// unified social credit codes, with their check characters computed here
// independently of the C code under test.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** An 18-character ID number: division (6), birth YYYYMMDD, sequence (3 digits; odd = male). */
export function idNumber(division, birth, seq) {
  const body = `${division}${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * ID_WEIGHTS[i];
  return body + ID_CHECK[sum % 11];
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** An 18-character unified social credit code from its first 17 characters. */
export function uscc(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]) * USCC_WEIGHTS[i];
  const c = (31 - (sum % 31)) % 31;
  return first17 + USCC_CHARS[c];
}
