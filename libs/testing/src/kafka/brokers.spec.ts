import { testKafkaBrokers } from './brokers';

describe('testKafkaBrokers', () => {
  const original = process.env['KAFKA_BROKERS'];

  afterEach(() => {
    if (original === undefined) delete process.env['KAFKA_BROKERS'];
    else process.env['KAFKA_BROKERS'] = original;
  });

  it('splits KAFKA_BROKERS into trimmed host:port entries', () => {
    process.env['KAFKA_BROKERS'] = ' 127.0.0.1:9092 , kafka:19092,';
    expect(testKafkaBrokers()).toEqual(['127.0.0.1:9092', 'kafka:19092']);
  });

  it('explains how to get a broker when KAFKA_BROKERS is unset or blank', () => {
    delete process.env['KAFKA_BROKERS'];
    expect(() => testKafkaBrokers()).toThrow(/KAFKA_BROKERS is not set.*npm test.*kafka:start/s);
    process.env['KAFKA_BROKERS'] = ' , ';
    expect(() => testKafkaBrokers()).toThrow(/KAFKA_BROKERS is not set/);
  });

  it('is set for this project by the jest global setup', () => {
    expect(original).toMatch(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/);
  });
});
