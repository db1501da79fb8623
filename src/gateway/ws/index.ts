export { WsGateway } from './ws-gateway.js';
