// Types of setup.mjs.
import type { RedisClient } from '../../src/speed/index.js';
export declare const AD_KEY: (ad: string) => string;
export declare const CAMPAIGNS_KEY: string;
export declare const RUN_KEY: string;
export declare const UPDATED_PREFIX: string;
export declare function adTableFile(): string;
export declare function writeSetup(redis: RedisClient, seed: number, tableFile?: string): Promise<void>;
