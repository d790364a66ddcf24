/**
 * bolt11 invoices with valid bech32 checksums and dummy signatures (the decoder checks the checksum,
 * not the signature). Amount and timestamp are in the comments.
 */

/** 25,000 msat (`250n`), timestamp 1700000000, no expiry field (so 3600 s). */
export const INVOICE_250N =
  'lnbc250n1pj48ugqpp5qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qursdqvv3mx6gr2da3qrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrkrtm23';
/** 1,000,000 msat (`10u`), timestamp 1700000100, expiry 600 s. */
export const INVOICE_10U_EXPIRY_600 =
  'lnbc10u1pj48utypp5qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qursxqzjcrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrcydktd';
/** No amount (the payer chooses), timestamp 1700000200. */
export const INVOICE_NO_AMOUNT =
  'lnbc1pj48uwgpp5qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qursrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr6m97y4';
/** 1 msat (`10p`), timestamp 1700000300. */
export const INVOICE_10P =
  'lnbc10p1pj48u3vpp5qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qursrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr5s546l';
