import { runService } from '@cryptoviz/runtime';
import { controllerService } from './service.ts';

await runService(controllerService);
