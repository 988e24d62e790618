import { runService } from '@cryptoviz/runtime';
import { fetcherService } from './service.ts';

await runService(fetcherService);
