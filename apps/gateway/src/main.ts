import { runService } from '@cryptoviz/runtime';
import { gatewayService } from './service.ts';

await runService(gatewayService);
