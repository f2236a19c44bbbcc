using System.Text.Json.Serialization;

namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>Prepared-claim records on disk, through the source generator (NativeAOT: no reflection JSON).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(PreparedClaim))]
internal sealed partial class PreparedClaimJsonContext : JsonSerializerContext;
