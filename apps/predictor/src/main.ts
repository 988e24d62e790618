import { runService } from '@cryptoviz/runtime';
import { predictorService } from './service.ts';

await runService(predictorService);
