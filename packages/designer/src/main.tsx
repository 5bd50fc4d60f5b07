import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { adoptTokenFromUrl } from './api.ts';
import { App } from './App.tsx';

adoptTokenFromUrl();
// A token link opened in a tab that is already signed in (as someone else) signs in afresh.
addEventListener('hashchange', () => {
  if (!/[#&]token=/.test(location.hash)) return;
  adoptTokenFromUrl();
  location.reload();
});
createRoot(document.getElementById('root')!).render(<App />);
