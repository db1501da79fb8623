import { render } from 'preact';
import { engine, market, session } from './model';
import { App } from './views';
import './styles.css';

render(<App />, document.getElementById('app')!);
void session.restore();
void market.start();
engine.start();
