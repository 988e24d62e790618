import { runService } from '@cryptoviz/runtime';
import { writerService } from './service.ts';

await runService(writerService);
