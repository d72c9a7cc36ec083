import { describeAuthConformance } from './auth-conformance.ts';
import { balenaSdkFactory } from './balena-sdk-client.ts';

describeAuthConformance(balenaSdkFactory);
