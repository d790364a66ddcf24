/**
 * One unit per kind of quantity, so the same number reads the same way on every dashboard.
 * Money is shown in sats: queries divide the protocol's millisats by 1000.
 */
export const UNITS = {
  count: 'short',
  requestRate: 'reqps',
  eventRate: 'cps',
  seconds: 's',
  ratio: 'percentunit',
  sats: 'suffix: sats',
  timestamp: 'dateTimeAsIso',
  sinceNow: 'dateTimeFromNow',
  bytes: 'bytes',
  text: 'string',
} as const;
