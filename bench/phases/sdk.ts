// The SDK's own cost per call and per item, calibrated in its own process (bench/sdk-cost.ts)
// before and after the stub windows, both runs' points fitted together so the figure spans the
// same period as the windows it is compared with. The memo variant measures the same cost in situ.
import { join } from 'node:path';
import { runNode } from '../processes.js';
import { HERE, TABLE } from '../settings.js';
import { sdkFits } from '../stats.js';
import type { Bench, Phase, SdkRun } from './bench.js';

export function sdkRun(b: Bench): Promise<SdkRun> {
  return runNode({
    script: join(HERE, 'sdk-cost.ts'),
    args: [b.stubEndpoint!, TABLE, String(b.settings.sdkIterations), String(b.settings.sdkRepetitions)],
    cpus: b.serverCpus,
    logFile: join(b.logDir, 'sdk-cost.log'),
  }) as Promise<never>;
}

export const sdkCalibration: Phase = {
  title: "the SDK's own cost per call and per item (client against the stub, in its own process, before and after the stub windows)",
  async run(b) {
    const before = b.sdkBefore ?? (await sdkRun(b));
    const after = await sdkRun(b);
    const points = [...before.points, ...after.points];
    const sdk = { ...sdkFits(points), iterations: before.iterations, points, before, after };
    b.sdk = sdk;
    for (const [c, x] of Object.entries(sdk.byCommand))
      b.log(`SDK ${c}: ${x.perCallUs.toFixed(0)} µs per call + ${x.perItemUs.toFixed(2)} µs per item`);
    b.log(
      `SDK over all: ${sdk.perCallUs.toFixed(0)} µs per call + ${sdk.perItemUs.toFixed(2)} µs per item (r² ${sdk.r2.toFixed(3)}; before ${before.perCallUs.toFixed(0)} + ${before.perItemUs.toFixed(2)}, after ${after.perCallUs.toFixed(0)} + ${after.perItemUs.toFixed(2)})`,
    );
  },
};
