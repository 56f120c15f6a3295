// The module the Vite build generates (vite.config.ts): the firmware manifest.
declare module "virtual:mtdoops-firmware" {
  const manifest: unknown;
  export default manifest;
}
