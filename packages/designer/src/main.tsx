import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { adoptTokenFromUrl } from './api.ts';
import { App } from './App.tsx';

adoptTokenFromUrl();
createRoot(document.getElementById('root')!).render(<App />);
