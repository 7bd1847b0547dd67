/**
 * The preload's view of the bridge. Types only: the bridge type and the IPC channel names live in one place,
 * shared/ipc.ts, which main/electron and renderer/client take them from too.
 */
import type { PreloadBridge as Bridge } from '../shared/ipc';

/** `window.firebreak` (see shared/ipc.ts). */
export type PreloadBridge = Bridge;
