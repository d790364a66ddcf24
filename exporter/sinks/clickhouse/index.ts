export { clickhouseSinkFactory } from './factory.js';
export { ClickHouseSink } from './sink.js';
