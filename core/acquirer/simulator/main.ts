/**
 * `npm run acquirer`: the simulator as a stand-alone HTTP server. Environment: SIM_PORT
 * (default 5300), SIM_FILE (default ./.data/acquirer-sim.sqlite), SIM_TERMINAL (default T0001),
 * SIM_KEY (hex; default: the stored key, or a new one), SIM_OFFLINE_KEY (hex, or `new`: a key
 * of the terminal's own for the offline routes; default: the same key as the protocol routes),
 * SIM_TLS_CERT and SIM_TLS_KEY (PEM files: serve HTTPS, as a live acquirer does).
 * Prints what an installer types into the terminal's acquirer connection (Settings → 收单连接):
 * the address, merchant id, terminal id and both keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startSimulator } from './server';

async function main(): Promise<void> {
  const cert = process.env.SIM_TLS_CERT;
  const tlsKey = process.env.SIM_TLS_KEY;
  if (Boolean(cert) !== Boolean(tlsKey)) throw new Error('SIM_TLS_CERT and SIM_TLS_KEY go together');
  const sim = await startSimulator({
    file: path.resolve(process.env.SIM_FILE ?? '.data/acquirer-sim.sqlite'),
    port: Number(process.env.SIM_PORT ?? 5300),
    host: process.env.SIM_HOST ?? '127.0.0.1',
    tls: cert && tlsKey ? { cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(tlsKey, 'utf8') } : undefined,
  });
  const terminal = process.env.SIM_TERMINAL ?? 'T0001';
  const key = await sim.provisionTerminal(terminal, process.env.SIM_KEY);
  const offlineEnv = process.env.SIM_OFFLINE_KEY;
  const offlineKey = offlineEnv ? await sim.provisionOfflineKey(terminal, offlineEnv === 'new' ? undefined : offlineEnv) : key;
  console.log(`收单模拟器已启动 / Acquirer simulator listening on ${sim.url}`);
  console.log(`merchant M0001 · terminal ${terminal}`);
  console.log(`terminal ${terminal} key: ${key}`);
  console.log(`offline-route key: ${offlineKey}`);
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
