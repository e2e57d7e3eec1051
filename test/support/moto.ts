import { IN_CI } from './api-model';
import { MOTO_MISSING, motoInstalled } from '../../rehearse/emulator';

export type { Emulator as Moto } from '../../rehearse/emulator';
export { startMoto, useEmulator } from '../../rehearse/emulator';

/** Whether tests that need moto_server should run; on CI its absence is an error. */
export function requireMoto(): boolean {
  if (motoInstalled()) return true;
  if (IN_CI) throw new Error(`${MOTO_MISSING}, and CI must run the emulator tests`);
  console.warn(`Skipping the moto_server tests: ${MOTO_MISSING}`);
  return false;
}
