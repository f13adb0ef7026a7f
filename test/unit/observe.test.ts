// Observability wiring that needs no server: tracing stays unloaded unless configured, and the
// standard OTEL_* variables configure it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('tracing', () => {
  it('is imported by nothing but the lazily loaded src/observe/tracing.ts, so start-up without it never loads the SDK', () => {
    const importers = sources('src').filter((f) => /from '@opentelemetry\//.test(readFileSync(f, 'utf8')));
    expect(importers).toEqual([join('src', 'observe', 'tracing.ts')]);
    const lazy = readFileSync('src/observe/start-tracing.ts', 'utf8');
    expect(lazy).toMatch(/await import\('\.\/tracing\.js'\)/);
    expect(lazy).not.toMatch(/^import (?!type).*tracing\.js/m);
  });

  it('is off without an OTLP endpoint, and on with the standard variables', () => {
    expect(loadConfig({}).observability.tracing).toBeUndefined();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }).observability.tracing,
    ).toBeUndefined();
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=a%20b,tenant=t1',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
        OTEL_SERVICE_NAME: 'api',
      }).observability.tracing,
    ).toEqual({
      url: 'http://collector:4318/v1/traces',
      headers: { 'x-api-key': 'a b', tenant: 't1' },
      serviceName: 'api',
      sampler: { kind: 'parentbased_traceidratio', ratio: 0.1 },
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' }).observability.tracing?.url).toBe(
      'http://c:4318/custom',
    );
  });

  it('lists every bad OTEL_* value at once', () => {
    expect(() =>
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toThrow(/grpc is not supported[\s\S]*OTEL_TRACES_SAMPLER must be one of/);
  });
});

describe('metrics and log settings', () => {
  it('serve metrics at /metrics by default, on their own port with METRICS_PORT, nowhere with METRICS=off', () => {
    expect(loadConfig({}).observability.metrics).toEqual({ mode: 'route' });
    expect(loadConfig({ METRICS_PORT: '9464' }).observability.metrics).toEqual({ mode: 'port', port: 9464 });
    expect(loadConfig({ METRICS: 'off', METRICS_PORT: '9464' }).observability.metrics).toEqual({ mode: 'off' });
  });

  it('read LOG_LEVEL and LOG_FORMAT, refusing unknown values', () => {
    expect(loadConfig({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }).observability).toMatchObject({ logLevel: 'debug', logFormat: 'json' });
    expect(loadConfig({}).observability).toMatchObject({ logLevel: 'info', logFormat: 'auto' });
    expect(() => loadConfig({ LOG_LEVEL: 'loud', LOG_FORMAT: 'xml' })).toThrow(/LOG_LEVEL must be[\s\S]*LOG_FORMAT must be/);
  });
});
