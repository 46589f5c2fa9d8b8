/**
 * `npm run acquirer`: the simulator as a stand-alone HTTP server. Environment: SIM_PORT
 * (default 5300), SIM_FILE (default ./.data/acquirer-sim.sqlite), SIM_TERMINAL (default T0001),
 * SIM_KEY (hex; default: the stored key, or a new one). Prints the terminal's key once so a
 * terminal in demo mode can be pointed at it (acquirer kind `http`, simulator true).
 */
import path from 'node:path';
import { startSimulator } from './server';

async function main(): Promise<void> {
  const sim = await startSimulator({
    file: path.resolve(process.env.SIM_FILE ?? '.data/acquirer-sim.sqlite'),
    port: Number(process.env.SIM_PORT ?? 5300),
    host: process.env.SIM_HOST ?? '127.0.0.1',
  });
  const terminal = process.env.SIM_TERMINAL ?? 'T0001';
  const key = await sim.provisionTerminal(terminal, process.env.SIM_KEY);
  console.log(`收单模拟器已启动 / Acquirer simulator listening on ${sim.url}`);
  console.log(`terminal ${terminal} key: ${key}`);
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
