import { branchingChain, threeStepChain } from './chains.js';
import type { JobScenario } from './customer.js';
import {
  cancelled,
  discovery,
  encrypted,
  image,
  reputation,
  speech,
  summarization,
  textGeneration,
  translation,
} from './requests.js';

/** Relative frequencies of what customers do; 5300 dominates as on the real network (less of a landslide). */
export const JOB_SCENARIOS: readonly (readonly [number, JobScenario])[] = [
  [40, discovery],
  [12, translation],
  [4, summarization],
  [8, textGeneration],
  [7, encrypted],
  [6, image],
  [5, reputation],
  [3, speech],
  [3, threeStepChain],
  [2, branchingChain],
  [3, cancelled],
];
