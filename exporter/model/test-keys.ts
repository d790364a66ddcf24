/**
 * The secp256k1 generator point as an x-only key: the public key of private key 1. Documentation
 * examples (Vertex) and some real requests are signed with it; count them as test traffic.
 */
export const GENERATOR_PUBKEY = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';

export function isTestKey(pubkey: string): boolean {
  return pubkey === GENERATOR_PUBKEY;
}
