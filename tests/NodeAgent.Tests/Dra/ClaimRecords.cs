using Platform.NodeAgent.Dra.Prepare;

namespace Platform.NodeAgent.Tests.Dra;

/// <summary>
/// Files as the agent wrote them before CDI devices were per request: literal text, not today's serializer,
/// so that a change of today's record or spec layout cannot hide a claim prepared before an upgrade.
/// </summary>
internal static class ClaimRecords
{
    /// <summary>Writes the record and the spec of a claim with one request <c>gpus</c> over <paramref name="uuids"/>; returns the spec's path.</summary>
    public static string WriteOlderLayout(string pluginDirectory, string cdiDirectory, string driver, ClaimRef claim, params string[] uuids)
    {
        var spec = Path.Combine(cdiDirectory, $"{driver}-claim_{claim.Uid}.json");
        var devices = uuids.Select((uuid, i) => $$"""
            {
              "requestNames": [ "gpus" ],
              "poolName": "node-a",
              "deviceName": "gpu-{{i}}",
              "uuid": "{{uuid}}",
              "cdiDeviceIds": [ "nvidia.com/gpu={{uuid}}", "{{driver}}/claim={{claim.Uid}}" ]
            }
            """);
        Directory.CreateDirectory(Path.Combine(pluginDirectory, "claims"));
        File.WriteAllText(Path.Combine(pluginDirectory, "claims", claim.Uid + ".json"), $$"""
            {
              "claim": { "namespace": "{{claim.Namespace}}", "name": "{{claim.Name}}", "uid": "{{claim.Uid}}" },
              "devices": [ {{string.Join(",", devices)}} ],
              "cdiSpecFile": "{{spec}}",
              "preparedAt": "2026-11-30T08:00:00+00:00"
            }
            """);
        Directory.CreateDirectory(cdiDirectory);
        File.WriteAllText(spec, $$"""
            {
              "cdiVersion": "0.5.0",
              "kind": "{{driver}}/claim",
              "devices": [
                {
                  "name": "{{claim.Uid}}",
                  "containerEdits": {
                    "env": [
                      "NVIDIA_VISIBLE_DEVICES={{string.Join(",", uuids)}}"
                    ]
                  }
                }
              ]
            }

            """);
        return spec;
    }
}
