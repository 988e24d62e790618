/**
 * The replay source the form tests build, in the unit test from its fields and in the browser
 * from the form: two files, sped up, looping, its last tick aligned to now.
 */
export const REPLAY_SPEC = {
  provider: 'replay',
  symbols: ['BTC', 'ETH'],
  replay: {
    data: { BTC: 'data/btc.csv', ETH: 'data/eth.csv' },
    speed: 36000,
    loop: true,
    align: 'now',
  },
} as const;
