/** The version `kubedrift --version` prints and reports carry (SARIF's tool.driver.version). */
export const kubedriftVersion = "0.1.0";
