// Everything a use case may touch, handed in rather than reached for.
import type { Clock, Store } from './ports.ts';

export interface ServiceContext {
  store: Store;
  clock: Clock;
  defaultRegion: string;
}
