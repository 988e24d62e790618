import { runService } from '@cryptoviz/runtime';
import { webService } from './web-service.ts';

await runService(webService);
