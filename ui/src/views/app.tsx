import { ChaosPanel } from './chaos-panel';
import { DepthChart } from './depth-chart';
import { EngineDashboard } from './engine-dashboard';
import { Header } from './header';
import { MyFills } from './my-fills';
import { MyOrders } from './my-orders';
import { OrderBook } from './order-book';
import { OrderEntry } from './order-entry';
import { PriceChart } from './price-chart';
import { TradeTape } from './trade-tape';

export function App() {
  return (
    <>
      <Header />
      <main class="grid">
        <OrderBook />
        <PriceChart />
        <OrderEntry />
        <MyOrders />
        <MyFills />
        <TradeTape />
        <DepthChart />
        <EngineDashboard />
        <ChaosPanel />
      </main>
    </>
  );
}
