// Third-party code, served by the api from its webjars (no CDN, no build step). The version is the webjar's:
// DashboardAssetsTest checks that every /webjars/ path the dashboard names is on the classpath.
export { default as uPlot } from "/webjars/uplot/1.6.30/dist/uPlot.esm.js";
export const UPLOT_CSS = "/webjars/uplot/1.6.30/dist/uPlot.min.css";
