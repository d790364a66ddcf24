// Moved beside the other real components the benchmarks may start too.
export * from '../support/prometheus.js';
