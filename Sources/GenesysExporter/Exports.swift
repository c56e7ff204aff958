// The umbrella: the executable and the tests import GenesysExporter and see every layer below it.
@_exported import GenesysAPI
@_exported import GenesysAuth
@_exported import GenesysBase
@_exported import GenesysCollectors
@_exported import GenesysHTTP
@_exported import GenesysJSON
@_exported import GenesysServer
@_exported import GenesysTelemetry
