import { render } from 'preact';
import { engine, market, session } from './model';
import { App } from './views';
import './styles/base.css';
import './styles/layout.css';
import './styles/market.css';
import './styles/trading.css';
import './styles/ops.css';

render(<App />, document.getElementById('app')!);
void session.restore();
void market.start();
engine.start();
