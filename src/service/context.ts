// Everything a use case may touch, handed in rather than reached for.
import type { Clock, RegistryStore } from './ports.ts';

export interface ServiceContext {
  store: RegistryStore;
  clock: Clock;
  defaultRegion: string;
}
