/**
 * The secp256k1 generator point as an x-only key: the public key of private key 1. Documentation
 * examples (Vertex) and some real requests are signed with it; requests it signs are test traffic
 * (`testKey` on the request, `test_key` in the store).
 */
export const GENERATOR_POINT_PUBKEY = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';

/** Whether `pubkey` is the documentation examples' key (private key 1). */
export function isDocumentationExampleKey(pubkey: string): boolean {
  return pubkey === GENERATOR_POINT_PUBKEY;
}
