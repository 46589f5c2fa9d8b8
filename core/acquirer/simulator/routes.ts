/** The route groups the simulator serves, one file each. Add a group with one line here. */
import type { RouteGroup } from './context';
import { controlRoutes } from './control-routes';
import { faceRoutes } from './face-routes';
import { paymentRoutes } from './payment-routes';
import { pingRoutes } from './ping-routes';
import { refundRoutes } from './refund-routes';
import { statementRoutes } from './statement-routes';

export const routeGroups: RouteGroup[] = [paymentRoutes, refundRoutes, statementRoutes, controlRoutes, faceRoutes, pingRoutes];
